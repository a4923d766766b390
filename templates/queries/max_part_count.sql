select
    hostName() as host,
    toFloat64(max(part_count)) as max_part_count
from (
    select count() as part_count
    from system.parts
    where active
    group by database, table, partition
)
