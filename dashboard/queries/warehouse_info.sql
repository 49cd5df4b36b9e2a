-- One row per recorded fact about the warehouse (e.g. is_demo).
-- columns: key, value
select key, value from audit.warehouse_info order by key;
