-- CORE metrics measured from the VIM's domain statistics (orchestrator/vm_metrics.hpp): KPIs
-- name them in metric_collector/type, as ESC's examples do (CPU, MEMORY).
INSERT INTO dynamic_mappings (kind, name, core, document) VALUES
    ('metric', 'CPU', true,
     '<metric><name>CPU</name><userLabel>CPU utilization (%)</userLabel><type>MONITOR_THRESHOLD</type><core>true</core><metaData><type>vim_domain_stats</type><properties><property><name>stat</name><value>cpu_utilization</value></property></properties></metaData></metric>'),
    ('metric', 'MEMORY', true,
     '<metric><name>MEMORY</name><userLabel>Memory utilization (%)</userLabel><type>MONITOR_THRESHOLD</type><core>true</core><metaData><type>vim_domain_stats</type><properties><property><name>stat</name><value>memory_utilization</value></property></properties></metaData></metric>')
ON CONFLICT (kind, name) DO NOTHING;
