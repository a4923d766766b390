SELECT emission_time, course_key, enrollment_mode
FROM {{ REPORTING }}.fact_enrollments
{% raw %}WHERE course_key IN {{ filter_values('course_key') | where_in }}{% endraw %}
