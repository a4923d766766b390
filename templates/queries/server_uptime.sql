select
    hostName() as host,
    uptime() as uptime_seconds
