-- Times are INTEGER Unix nanoseconds (UTC); NULL is "never".

CREATE TABLE sources (
    name          TEXT PRIMARY KEY,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_fetch    INTEGER,
    last_success  INTEGER,
    last_status   TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER,
    items         INTEGER NOT NULL DEFAULT 0,
    new_items     INTEGER NOT NULL DEFAULT 0,
    alerts        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    fingerprint INTEGER NOT NULL,
    first_seen  INTEGER NOT NULL,
    source      TEXT NOT NULL
);
CREATE INDEX stories_first_seen ON stories(first_seen);

-- Every source that carried a story: the first one and those that "also
-- reported" it.
CREATE TABLE story_sources (
    story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (story_id, source)
) WITHOUT ROWID;

CREATE TABLE items (
    key         TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    guid        TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    published   INTEGER,
    fingerprint INTEGER NOT NULL,
    story_id    INTEGER NOT NULL REFERENCES stories(id),
    seen_at     INTEGER NOT NULL
);
CREATE INDEX items_story ON items(story_id);
CREATE INDEX items_seen_at ON items(seen_at);

-- detail is the whole alert.Alert as JSON; the columns beside it are what
-- queries filter on. A news alert is unique per (story, rule); designation
-- alerts have no story.
CREATE TABLE alerts (
    id        INTEGER PRIMARY KEY,
    story_id  INTEGER REFERENCES stories(id),
    rule      TEXT NOT NULL,
    category  TEXT NOT NULL DEFAULT '',
    severity  TEXT NOT NULL DEFAULT '',
    title     TEXT NOT NULL DEFAULT '',
    headline  TEXT NOT NULL DEFAULT '',
    url       TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    published INTEGER,
    created   INTEGER NOT NULL,
    detail    TEXT NOT NULL,
    UNIQUE (story_id, rule)
);
CREATE INDEX alerts_created ON alerts(created);
CREATE INDEX alerts_rule_created ON alerts(rule, created);

-- Kept in sync in the transaction that inserts the alert; rowid = alerts.id.
CREATE VIRTUAL TABLE alerts_fts USING fts5(
    headline, snippet, title, terms, entities,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    alert_id     INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    target       TEXT NOT NULL CHECK (target <> ''),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL DEFAULT '',
    created      INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (alert_id, target)
);
-- Only pending rows are ever scanned for delivery; the partial index stays
-- as small as the backlog.
CREATE INDEX outbox_pending ON outbox(target, next_attempt) WHERE status = 'pending';
CREATE INDEX outbox_pending_created ON outbox(created) WHERE status = 'pending';

CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY,
    guild_id     TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    rule         TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    min_severity TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created      INTEGER NOT NULL,
    paused       INTEGER NOT NULL DEFAULT 0,
    pause_reason TEXT NOT NULL DEFAULT '',
    failures     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_guild ON subscriptions(guild_id);
CREATE INDEX subscriptions_channel ON subscriptions(channel_id);

CREATE TABLE mutes (
    id         INTEGER PRIMARY KEY,
    guild_id   TEXT NOT NULL,
    rule       TEXT NOT NULL,
    until      INTEGER NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    created    INTEGER NOT NULL
);
CREATE INDEX mutes_guild_rule ON mutes(guild_id, rule);
CREATE INDEX mutes_until ON mutes(until);

CREATE TABLE list_versions (
    id         INTEGER PRIMARY KEY,
    list       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    payload    BLOB NOT NULL,
    held       INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    fetched_at INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX list_versions_list ON list_versions(list, id);
CREATE UNIQUE INDEX list_versions_active ON list_versions(list) WHERE active = 1;
