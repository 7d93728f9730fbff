// Kept for the tab still importing it from here (OverviewTab.tsx): the empty state is
// components/EmptyText.tsx.
export { EmptyText } from '../../../components/EmptyText.tsx';
