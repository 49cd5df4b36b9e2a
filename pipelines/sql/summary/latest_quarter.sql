-- The latest quarter for which a client list was uploaded (null when none).
select max(quarter) as quarter from marts.quarters where project_code = $project and has_client_data;
