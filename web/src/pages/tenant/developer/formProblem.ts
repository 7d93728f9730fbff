// Kept for the pages still importing it from here (tenant/Users.tsx, tenant/account/*): the helper
// is lib/form-problem.ts.
export { markProblemField } from '../../../lib/form-problem.ts';
