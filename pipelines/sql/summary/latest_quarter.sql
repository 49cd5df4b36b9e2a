-- The latest quarter with client data for a project (null when none).
select max(quarter) as quarter from marts.client_counts where project_code = $project;
