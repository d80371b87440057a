// Always-on invariant checks for the consensus core. A broken invariant means this replica could
// serve or replicate wrong data, so the failure throws and names the invariant instead of limping on.

export class InvariantError extends Error {
  readonly invariant: string;
  constructor(invariant: string, detail: string) {
    super(`PDK_CONSENSUS_INVARIANT: ${invariant}: ${detail}`);
    this.name = "InvariantError";
    this.invariant = invariant;
  }
}

export function invariant(condition: boolean, name: string, detail: () => string): asserts condition {
  if (!condition) throw new InvariantError(name, detail());
}
