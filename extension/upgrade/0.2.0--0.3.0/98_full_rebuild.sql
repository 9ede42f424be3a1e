-- doliflow 0.2.0 -> 0.3.0, part 98: the first load after the upgrade is a full one.
-- The loader's functions may have changed: a warehouse built by the old ones must not be
-- extended incrementally by the new ones (a target without a load_state row is rebuilt in
-- full from the lake, which the upgrade keeps).
DELETE FROM dw.load_state;
