with
    current_enrollments as (
        select
            org,
            course_key,
            actor_id,
            argMax(enrollment_status, emission_time) as enrollment_status
        from {{ REPORTING_DATABASE }}.fact_enrollments
        where 1 = 1 {% include 'queries/course_filters.sql' %}
        group by org, course_key, actor_id
    ),
    enrollment_counts as (
        select
            org,
            course_key,
            countIf(enrollment_status = 'registered') as enrolled_learners
        from current_enrollments
        group by org, course_key
    ),
    video_counts as (
        select
            course_key,
            count(*) as video_views
        from {{ REPORTING_DATABASE }}.fact_video_plays
        where 1 = 1 {% include 'queries/course_filters.sql' %}
        group by course_key
    ),
    problem_counts as (
        select
            course_key,
            count(*) as problem_attempts
        from {{ REPORTING_DATABASE }}.fact_problem_responses
        where 1 = 1 {% include 'queries/course_filters.sql' %}
        group by course_key
    )

select
    e.org as org,
    e.course_key as course_key,
    e.enrolled_learners as enrolled_learners,
    v.video_views as video_views,
    p.problem_attempts as problem_attempts
from enrollment_counts as e
left join video_counts as v on v.course_key = e.course_key
left join problem_counts as p on p.course_key = e.course_key
