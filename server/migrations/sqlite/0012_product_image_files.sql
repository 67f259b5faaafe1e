-- Product images uploaded by merchants: the stored file's size in pixels and bytes and its
-- SHA-256 (the file name is the hash, so a file is shared by every row with the same content and
-- deleted only when no row refers to it). Images of the demo catalogue keep 0 and ''.
ALTER TABLE product_images ADD COLUMN width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_images ADD COLUMN height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_images ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_images ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX product_images_url ON product_images (url);
