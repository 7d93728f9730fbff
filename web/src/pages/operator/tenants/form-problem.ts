// Kept for the tabs still importing it from here (PricePlanCard, ComplianceTab, OverviewTab): the
// helper is lib/form-problem.ts.
export { fieldPath, markProblemField } from '../../../lib/form-problem.ts';
