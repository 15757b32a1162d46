--liquibase formatted sql

-- The worker's model proxy (issue #8): one credential per instance (only its SHA-256 is kept;
-- the gateway's openclaw.json holds the credential itself, never the operator's model key) and
-- the model usage of every tenant per UTC day. The same DDL runs on H2 2.x and PostgreSQL.
-- Usage rows have no foreign key: they outlive the tenant's instance for accounting.

--changeset clawhive:005-model-credentials
CREATE TABLE model_credentials (
  instance_id VARCHAR(36) NOT NULL,
  credential_hash VARCHAR(64) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT pk_model_credentials PRIMARY KEY (instance_id),
  CONSTRAINT uq_model_credentials_hash UNIQUE (credential_hash),
  CONSTRAINT fk_model_credentials_instance FOREIGN KEY (instance_id)
    REFERENCES instances (id) ON DELETE CASCADE
);
--rollback DROP TABLE model_credentials;

--changeset clawhive:005-model-usage
CREATE TABLE model_usage (
  tenant_id BIGINT NOT NULL,
  usage_day DATE NOT NULL,
  requests BIGINT DEFAULT 0 NOT NULL,
  tokens_in BIGINT DEFAULT 0 NOT NULL,
  tokens_out BIGINT DEFAULT 0 NOT NULL,
  errors BIGINT DEFAULT 0 NOT NULL,
  refused BIGINT DEFAULT 0 NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT pk_model_usage PRIMARY KEY (tenant_id, usage_day)
);
CREATE INDEX ix_model_usage_day ON model_usage (usage_day);
--rollback DROP TABLE model_usage;
