select
    hostName() as host,
    event_time,
    CurrentMetric_DelayedInserts as delayed_inserts,
    CurrentMetric_DistributedFilesToInsert as distributed_files_to_insert
from system.metric_log
where event_date >= today() - 7
