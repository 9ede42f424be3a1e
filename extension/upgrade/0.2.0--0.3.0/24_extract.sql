-- doliflow 0.2.0 -> 0.3.0, part 24 (issue 18): dw.project_material, the running sums behind
-- dw.dim_project.material_cost.  It starts empty, so the next load must compute it: its
-- load_state row goes, which makes the next load_warehouse() a full rebuild.
CREATE TABLE dw.project_material (
	project_key  integer PRIMARY KEY,
	movements    bigint NOT NULL,
	cost         numeric NOT NULL
);
ALTER TABLE dw.project_material OWNER TO doliflow_owner;
GRANT SELECT ON dw.project_material TO doliflow_reader;
DELETE FROM dw.load_state WHERE target = 'dim_project';
