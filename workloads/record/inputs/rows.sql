-- The sqlite3 trace's program: an in-memory table filled by a recursive CTE, an index, grouping and a join.
create table t(a integer primary key, b text, c real);
with recursive n(x) as (select 1 union all select x + 1 from n where x < 12000)
insert into t select x, printf('row%d', x * 7919 % 10007), x * 0.5 from n;
create index t_b on t(b);
select count(distinct b), sum(c) from t;
select b, count(*) from t group by b order by count(*) desc limit 5;
delete from t where a % 3 = 0;
select count(*) from t as x join t as y on x.b = y.b where x.a < y.a;
