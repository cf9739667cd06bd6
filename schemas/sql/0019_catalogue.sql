-- The software catalogue (docs/catalogue.md): products, software types, releases and their
-- images; the files escd stored for them, by content; the API clients of the Software
-- Distribution face and the agreements they answered; Cisco SMU metadata imported for the CSM
-- face. Metadata transaction ids, tokens and download URLs are signed, not stored: any node
-- verifies them with the catalogue's signing key (a row of `settings`).
CREATE TABLE catalogue_products (
    pid               text PRIMARY KEY,
    mdf_id            text NOT NULL,
    mdf_concept_name  text NOT NULL DEFAULT ''
);

CREATE TABLE catalogue_software_types (
    software_type_id  text PRIMARY KEY,
    name              text NOT NULL
);

CREATE TABLE catalogue_releases (
    release_id             bigserial PRIMARY KEY,
    pid                    text NOT NULL REFERENCES catalogue_products ON DELETE CASCADE,
    software_type_id       text NOT NULL REFERENCES catalogue_software_types,
    operating_platform     text NOT NULL DEFAULT '',
    version                text NOT NULL,
    lifecycle              text NOT NULL DEFAULT '',
    fcs_date               text NOT NULL DEFAULT '',
    suggested              boolean NOT NULL DEFAULT false,
    message                text NOT NULL DEFAULT '',
    catalog_message        text NOT NULL DEFAULT '',
    field_notice_url       text NOT NULL DEFAULT '',
    security_advisory_url  text NOT NULL DEFAULT '',
    documents              jsonb NOT NULL DEFAULT '[]',
    UNIQUE (pid, software_type_id, operating_platform, version)
);

-- One row per content: the file is <catalogue dir>/<sha512[0:2]>/<sha512>.
CREATE TABLE catalogue_files (
    sha512     text PRIMARY KEY,
    md5        text NOT NULL,
    size       bigint NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalogue_images (
    guid                   text PRIMARY KEY,
    release_id             bigint NOT NULL REFERENCES catalogue_releases ON DELETE CASCADE,
    name                   text NOT NULL,
    description            text NOT NULL DEFAULT '',
    feature_set            text NOT NULL DEFAULT '',
    min_dram               text NOT NULL DEFAULT '',
    min_flash              text NOT NULL DEFAULT '',
    k9                     boolean NOT NULL DEFAULT false,
    eula                   boolean NOT NULL DEFAULT false,
    related                boolean NOT NULL DEFAULT false,
    software_advisory_url  text NOT NULL DEFAULT '',
    deferral_notice_url    text NOT NULL DEFAULT '',
    deleted_date           text,
    sha512                 text REFERENCES catalogue_files,
    documents              jsonb NOT NULL DEFAULT '[]',
    UNIQUE (release_id, name)
);
CREATE INDEX catalogue_images_by_name ON catalogue_images (name);

CREATE TABLE catalogue_clients (
    client_id    text PRIMARY KEY,
    name         text NOT NULL,
    secret_hash  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

-- A client's answer to the K9 or EULA form, for one file name ('' : every file).
CREATE TABLE catalogue_agreements (
    client_id    text NOT NULL REFERENCES catalogue_clients ON DELETE CASCADE,
    form         text NOT NULL CHECK (form IN ('k9', 'eula')),
    file_name    text NOT NULL,
    accepted     boolean NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}',
    answered_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, form, file_name)
);

CREATE TABLE catalogue_smu_catalogs (
    platform       text NOT NULL,
    release        text NOT NULL,
    creation_date  text NOT NULL DEFAULT '',
    smu_suffix     text NOT NULL DEFAULT '',
    mdf_id         text NOT NULL DEFAULT '',
    pid            text NOT NULL DEFAULT '',
    imported_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, release)
);

-- Each item whole, as the CSM face answers it; `ord` keeps the file's order.
CREATE TABLE catalogue_smu_items (
    platform  text NOT NULL,
    release   text NOT NULL,
    ord       integer NOT NULL,
    id        text NOT NULL,
    name      text NOT NULL,
    item      jsonb NOT NULL,
    PRIMARY KEY (platform, release, ord),
    FOREIGN KEY (platform, release) REFERENCES catalogue_smu_catalogs ON DELETE CASCADE
);
