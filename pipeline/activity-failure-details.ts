/** Extra facts an activity attaches to its failures, so the workflow can say what failed and after how many attempts. */
export interface ActivityFailureDetails {
  component: string | null;
  attempt: number;
}
