// Kept for the pages still importing it from here (tenant/Users.tsx): the modal is
// components/SecretOnce.tsx.
export { SecretOnce, type ShownSecret } from '../../../components/SecretOnce.tsx';
