-- Dynamic mappings (/v0/dynamic_mapping/actions|metrics): the actions and metrics that KPI rules
-- name. CORE entries ship with escd and cannot be deleted. `document` is the canonical XML of
-- the <action> or <metric> element.
CREATE TABLE dynamic_mappings (
    kind       text NOT NULL CHECK (kind IN ('action', 'metric')),
    name       text NOT NULL,
    core       boolean NOT NULL DEFAULT false,
    document   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

INSERT INTO dynamic_mappings (kind, name, core, document) VALUES
    ('action', 'ALWAYS log', true,
     '<action><name>ALWAYS log</name><type>ESC_POST_EVENT</type><core>true</core><metaData><type>esc_post_event</type><properties><property><name>event_name</name><value>log</value></property></properties></metaData></action>'),
    ('action', 'TRUE esc_vm_alive_notification', true,
     '<action><name>TRUE esc_vm_alive_notification</name><type>ESC_POST_EVENT</type><core>true</core><metaData><type>esc_post_event</type><properties><property><name>event_name</name><value>VM_ALIVE</value></property></properties></metaData></action>'),
    ('action', 'FALSE recover autohealing', true,
     '<action><name>FALSE recover autohealing</name><type>ESC_POST_EVENT</type><core>true</core><metaData><type>esc_post_event</type><properties><property><name>event_name</name><value>VM_RECOVERY</value></property></properties></metaData></action>'),
    ('action', 'TRUE servicescaleup.sh', true,
     '<action><name>TRUE servicescaleup.sh</name><type>ESC_POST_EVENT</type><core>true</core><metaData><type>esc_post_event</type><properties><property><name>event_name</name><value>VM_SCALE_OUT</value></property></properties></metaData></action>'),
    ('action', 'TRUE servicescalein.sh', true,
     '<action><name>TRUE servicescalein.sh</name><type>ESC_POST_EVENT</type><core>true</core><metaData><type>esc_post_event</type><properties><property><name>event_name</name><value>VM_SCALE_IN</value></property></properties></metaData></action>'),
    ('metric', 'ICMPPing', true,
     '<metric><name>ICMPPing</name><userLabel>ICMP Ping</userLabel><type>MONITOR_SUCCESS_FAILURE</type><core>true</core><metaData><type>icmp_ping</type><properties><property><name>ip_address</name><value/></property><property><name>timeout</name><value>1</value></property></properties></metaData></metric>');
