select
    hostName() as host,
    database as database_name,
    table as table_name,
    type as task_type,
    num_tries,
    num_postponed,
    create_time,
    last_exception
from system.replication_queue
where num_tries > 100 or num_postponed > 100
