/**
 * Where the DID hub writes its attestations (accreditation changes, status changes, verification audits). The ledger
 * (`src/ledger/ledger.ts`, `Ledger.append(obj)` → receipt with `index`) satisfies this interface as it is; tests may
 * use the in-memory sink below.
 */

/** An append-only sink of JSON attestations; resolves once the attestation is durable. */
export interface AttestationSink {
  append(attestation: object): Promise<{ index: number }>;
}

/** An in-memory sink (tests, dry runs): keeps every attestation in order. */
export class MemorySink implements AttestationSink {
  readonly entries: object[] = [];

  /** Append and return the index. */
  async append(attestation: object): Promise<{ index: number }> {
    this.entries.push(structuredClone(attestation));
    return { index: this.entries.length - 1 };
  }
}
