-- ESC config parameters (/v0/config...), with the reference's defaults. Categories and keys are
-- stored upper case; the API matches them case-insensitively.
CREATE TABLE config_parameters (
    category   text NOT NULL,
    key        text NOT NULL,
    value      text NOT NULL,
    type       text NOT NULL DEFAULT 'STRING',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (category, key)
);

INSERT INTO config_parameters (category, key, value, type) VALUES
    ('DEFAULT', 'VM_RECOVERY_RETRY_MAX', '3', 'INT'),
    ('OPENSTACK', 'ENDPOINT', 'adminURL', 'STRING'),
    ('LOG', 'LEVEL', 'INFO', 'STRING'),
    ('AFFINITY', 'FILTER', 'SameHostFilter', 'STRING'),
    ('ANTI-AFFINITY', 'FILTER', 'DifferentHostFilter', 'STRING');
