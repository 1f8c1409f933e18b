/** The public statistics page (`/stats`): volume and markets, with plots. */
export default function StatsPage() {
  return null;
}
