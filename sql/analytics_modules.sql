-- doliflow's analytics modules (55_analytics_modules): argument checks of the analyst functions.
-- predict_intervention_duration: the range of estimated_duration is said exactly
-- (0 is outside it: "between 0 and 10000" used to be the message).
SELECT doliflow.predict_intervention_duration('{"estimated_duration": 0}');
SELECT doliflow.predict_intervention_duration('{"estimated_duration": 10000.5}');
