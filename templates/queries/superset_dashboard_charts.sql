select
    d.id as dashboard_id,
    d.dashboard_title as dashboard_title,
    d.published as published,
    d.changed_on as changed_on,
    count(s.id) as charts
from dashboards as d
left join dashboard_slices as ds on ds.dashboard_id = d.id
left join slices as s on s.id = ds.slice_id
group by d.id, d.dashboard_title, d.published, d.changed_on
