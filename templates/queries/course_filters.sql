{% raw -%}
{% if filter_values('org') != [] %}
    and org in {{ filter_values('org') | where_in }}
{% endif %}
{% if filter_values('course_key') != [] %}
    and course_key in {{ filter_values('course_key') | where_in }}
{% endif %}
{%- endraw %}
