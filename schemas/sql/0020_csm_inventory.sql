-- The CSM face's inventory (model/csm/inventory.hpp): its users, the server repositories devices
-- fetch packages from, the regions that group hosts and name their repositories, the jump hosts in
-- front of devices, the custom command profiles of the Pre-/Post-Upgrade checks, and the hosts.
-- Each object is known by its unique name, as CSM's API names it; references are by id and
-- RESTRICT, so an object in use cannot go away (the store answers kInUse first). The enumerations
-- are CHECKed in the spelling of inventory.hpp's names, so every stored value parses. The face's
-- token key is a row of `settings` ('csm.token_key').
CREATE TABLE csm_users (
    id             bigserial PRIMARY KEY,
    username       text NOT NULL UNIQUE,
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('Admin', 'Network Admin', 'Operator', 'Viewer')),
    active         boolean NOT NULL DEFAULT true,
    fullname       text NOT NULL DEFAULT '',
    email          text NOT NULL DEFAULT ''
);

CREATE TABLE csm_server_repositories (
    id                   bigserial PRIMARY KEY,
    hostname             text NOT NULL UNIQUE,
    type                 text NOT NULL CHECK (type IN ('TFTP', 'FTP', 'SFTP', 'SCP', 'LOCAL')),
    address              text NOT NULL DEFAULT '',
    directory            text NOT NULL DEFAULT '',
    vrf                  text NOT NULL DEFAULT '',
    username             text NOT NULL DEFAULT '',
    password             text NOT NULL DEFAULT '',
    destination_on_host  text NOT NULL DEFAULT '',
    created_by           text NOT NULL DEFAULT ''
);

CREATE TABLE csm_regions (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_by  text NOT NULL DEFAULT ''
);

-- A region's repositories in the order given (`position` from 1).
CREATE TABLE csm_region_repositories (
    region_id      bigint NOT NULL REFERENCES csm_regions ON DELETE CASCADE,
    position       integer NOT NULL,
    repository_id  bigint NOT NULL REFERENCES csm_server_repositories ON DELETE RESTRICT,
    PRIMARY KEY (region_id, position)
);
-- For the delete of a repository: whether a region names it.
CREATE INDEX csm_region_repositories_by_repository ON csm_region_repositories (repository_id);

CREATE TABLE csm_jump_hosts (
    id               bigserial PRIMARY KEY,
    hostname         text NOT NULL UNIQUE,
    connection_type  text NOT NULL CHECK (connection_type IN ('telnet', 'ssh')),
    host_or_ip       text NOT NULL DEFAULT '',
    port_number      text NOT NULL DEFAULT '',
    username         text NOT NULL DEFAULT '',
    password         text NOT NULL DEFAULT '',
    created_by       text NOT NULL DEFAULT ''
);

-- The facts columns are what discovery learnt ('Unknown' until it ran); created_by and
-- created_time are the first put's.
CREATE TABLE csm_hosts (
    id                 bigserial PRIMARY KEY,
    hostname           text NOT NULL UNIQUE,
    region_id          bigint NOT NULL REFERENCES csm_regions ON DELETE RESTRICT,
    location           text NOT NULL DEFAULT '',
    roles              text[] NOT NULL DEFAULT '{}',
    software_profile   text NOT NULL DEFAULT '',
    connection_type    text NOT NULL CHECK (connection_type IN ('telnet', 'ssh')),
    ts_or_ip           text[] NOT NULL DEFAULT '{}',
    port_number        text[] NOT NULL DEFAULT '{}',
    username           text NOT NULL DEFAULT '',
    password           text NOT NULL DEFAULT '',
    enable_password    text NOT NULL DEFAULT '',
    jump_host_id       bigint REFERENCES csm_jump_hosts ON DELETE RESTRICT,
    family             text NOT NULL DEFAULT 'Unknown',
    chassis            text NOT NULL DEFAULT 'Unknown',
    software_platform  text NOT NULL DEFAULT 'Unknown',
    software_version   text NOT NULL DEFAULT 'Unknown',
    os_type            text NOT NULL DEFAULT 'Unknown',
    created_by         text NOT NULL DEFAULT '',
    created_time       timestamptz NOT NULL DEFAULT now()
);
-- For the deletes of a region and of a jump host: whether a host refers to it.
CREATE INDEX csm_hosts_by_region ON csm_hosts (region_id);
CREATE INDEX csm_hosts_by_jump_host ON csm_hosts (jump_host_id);

-- The commands stay an array: a command may contain a comma.
CREATE TABLE csm_command_profiles (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    commands    text[] NOT NULL DEFAULT '{}',
    created_by  text NOT NULL DEFAULT ''
);
