select
    hostName() as host,
    toFloat64(value) as max_part_count
from system.asynchronous_metrics
where metric = 'MaxPartCountForPartition'
