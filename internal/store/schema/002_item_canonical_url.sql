-- The canonical URL of an item's article (tracking parameters dropped), so
-- that one article reached through several sources joins one story even
-- when its titles differ. '' when the item has no article URL; items stored
-- before this column existed keep ''.
ALTER TABLE items ADD COLUMN canonical_url TEXT NOT NULL DEFAULT '';
CREATE INDEX items_canonical_url ON items(canonical_url, seen_at) WHERE canonical_url <> '';
