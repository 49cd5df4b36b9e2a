-- One row per figure the project's final report published (shown as "published", never mixed in).
-- columns: figure, value, source
select figure, value, source
from ref.published_figures
where project_code = $project
order by figure;
