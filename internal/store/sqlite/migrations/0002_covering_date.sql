-- A narrow copy of what timelines, date sorting and Top(site) need per
-- article, so that walking a word's matches reads this index (hundreds of
-- entries a page) instead of the article rows (a few a page).
CREATE INDEX articles_n_date ON articles (n, date, site_id, id);
