select
    count(*) as ttl_count,
    max(emission_time) as most_recent,
    date_diff('second', max(emission_time), now()) as lag_seconds
from {{ XAPI_DATABASE }}.xapi_events_all final
