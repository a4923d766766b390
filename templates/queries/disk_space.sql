select
    hostName() as host,
    name as disk_name,
    path as disk_path,
    free_space,
    total_space,
    round(100 * free_space / nullIf(total_space, 0), 1) as free_space_percent
from system.disks
