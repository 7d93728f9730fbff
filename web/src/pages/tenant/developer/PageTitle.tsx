// Kept for the page still importing it from here (tenant/Users.tsx): the title is
// components/PageTitle.tsx.
export { PageTitle } from '../../../components/PageTitle.tsx';
