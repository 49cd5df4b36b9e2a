-- marts.status_flows (entry -> exit -> pathway counts) was rebuilt on every write and read by nothing: the
-- Sankey reads marts.client_counts. Its file is gone; drop the view a warehouse built before kept.
drop view if exists marts.status_flows;
