select
    hostName() as host,
    metric,
    toFloat64(value) as value,
    description
from system.metrics
where metric in ('DelayedInserts', 'DistributedFilesToInsert')
