--liquibase formatted sql

-- Exactly once, end to end (issue #10): an agent's answer to a Telegram update is stored before
-- it is sent, with how many of its parts (messages, the answer.md document) went out. A send
-- failure or a redelivery resends the rest of the stored answer instead of asking the agent
-- again. The row goes when the update is ANSWERED (or with its processed_updates row).
-- Up to the worker's answer cap (1 MiB of text by default): CLOB on H2, TEXT on PostgreSQL.

--changeset clawhive:007-update-answers-h2 dbms:h2
CREATE TABLE update_answers (
  update_id BIGINT NOT NULL,
  answer CLOB NOT NULL,
  parts_sent INT DEFAULT 0 NOT NULL,
  stored_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT pk_update_answers PRIMARY KEY (update_id),
  CONSTRAINT fk_update_answers_update FOREIGN KEY (update_id)
    REFERENCES processed_updates (update_id) ON DELETE CASCADE
);
--rollback DROP TABLE update_answers;

--changeset clawhive:007-update-answers-postgresql dbms:postgresql
CREATE TABLE update_answers (
  update_id BIGINT NOT NULL,
  answer TEXT NOT NULL,
  parts_sent INT DEFAULT 0 NOT NULL,
  stored_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT pk_update_answers PRIMARY KEY (update_id),
  CONSTRAINT fk_update_answers_update FOREIGN KEY (update_id)
    REFERENCES processed_updates (update_id) ON DELETE CASCADE
);
--rollback DROP TABLE update_answers;
