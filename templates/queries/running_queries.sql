select
    hostName() as host,
    query_id,
    user as user_name,
    elapsed as elapsed_seconds,
    read_rows,
    memory_usage as memory_bytes,
    query
from system.processes
where query_id != queryID()
