select
    emission_time,
    org,
    course_key,
    actor_id,
    'video_view' as activity_type
from {{ REPORTING_DATABASE }}.fact_video_plays
where 1 = 1 {% include 'queries/course_filters.sql' %}

union all

select
    emission_time,
    org,
    course_key,
    actor_id,
    'problem_attempt' as activity_type
from {{ REPORTING_DATABASE }}.fact_problem_responses
where 1 = 1 {% include 'queries/course_filters.sql' %}
