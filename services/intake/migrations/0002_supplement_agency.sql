-- The agency that asked for the supplement: the receiving one-stop unit, or the agency that was
-- processing the dossier when its task was returned for supplement (workflow).
ALTER TABLE supplement_request ADD COLUMN requested_by_agency text;
