/** A Veramo 7 agent (in-memory stores, did:key, JWT credentials) as the independent peer for interop and bench. */
import { createAgent, type ICredentialPlugin, type IDIDManager, type IKeyManager, type IResolver, type TAgent } from '@veramo/core';
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';
import { DIDManager, MemoryDIDStore } from '@veramo/did-manager';
import { KeyDIDProvider } from '@veramo/did-provider-key';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import type { Resolvable } from 'did-resolver';

/** The agent type. */
export type VeramoAgent = TAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin>;

/** Build an agent resolving DIDs through `resolver`. */
export function veramoAgent(resolver: Resolvable): VeramoAgent {
  return createAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin>({
    plugins: [
      new KeyManager({ store: new MemoryKeyStore(), kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) } }),
      new DIDManager({ store: new MemoryDIDStore(), defaultProvider: 'did:key', providers: { 'did:key': new KeyDIDProvider({ defaultKms: 'local' }) } }),
      new DIDResolverPlugin({ resolver }),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
}
