/**
 * What a FIDO CTAP2 authenticatorGetAssertion costs on the same BLE link, for comparison
 * with a wristpay payment: both carry one 64-byte P-256 signature's worth of proof.
 * Message sizes are encoded, not estimated (deterministic CBOR, shared/cbor/host.ts), after
 * CTAP 2.1 §6.2 (authenticatorGetAssertion):
 *
 *   request  = 0x02 ‖ {1: rpId, 2: clientDataHash (32), 3: [{"id": credentialId (64),
 *              "type": "public-key"}], 5: {"up": true}}
 *   response = 0x00 (CTAP2_OK) ‖ {1: {"id": credentialId, "type": "public-key"},
 *              2: authData (37: rpIdHash 32, flags 1, signCount 4), 3: signature (DER, 71)}
 *
 * and framed by the CTAP BLE transport (§11.4): MSG 0x83 + 16-bit length, then
 * continuation fragments with a sequence byte, each at most ATT_MTU − 3 bytes — the very
 * framing wristpay borrowed (shared/framing), so the same `fragmentCount` applies. No
 * KEEPALIVE frames (user presence is assumed immediate), no fidoControlPointLength read.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap } from '../../shared/cbor/types.ts';
import { fragmentCount } from '../../shared/framing/fragment.ts';

export const CTAP_RP_ID = 'wristpay.example';
const CREDENTIAL_ID_BYTES = 64;
const AUTH_DATA_BYTES = 37;
const DER_SIGNATURE_BYTES = 71;

export interface CtapFigures {
  mtu: number;
  requestBytes: number;
  responseBytes: number;
  /** GATT values on air: message + 3 (initial header) + 1 per continuation, both directions. */
  airBytes: number;
  fragments: number;
  /** One fragment per connection event each way, request before response. */
  connectionEvents: number;
}

function descriptor(): CborMap {
  return new CborMap(['id', 'type'], [new Uint8Array(CREDENTIAL_ID_BYTES), 'public-key']);
}

export function ctapMessageSizes(): { request: number; response: number } {
  const request = encodeCborHost(
    new CborMap([1, 2, 3, 5], [CTAP_RP_ID, new Uint8Array(32), [descriptor()], new CborMap(['up'], [true])]),
  );
  const response = encodeCborHost(
    new CborMap([1, 2, 3], [descriptor(), new Uint8Array(AUTH_DATA_BYTES), new Uint8Array(DER_SIGNATURE_BYTES)]),
  );
  return { request: 1 + request.length, response: 1 + response.length };
}

/** On-air bytes of one message of `len` bytes at `mtu` (the frame headers included, ATT headers not). */
export function framedBytes(len: number, mtu: number): number {
  return len + 3 + (fragmentCount(len, mtu) - 1);
}

export function ctapAt(mtu: number): CtapFigures {
  const { request, response } = ctapMessageSizes();
  const fragments = fragmentCount(request, mtu) + fragmentCount(response, mtu);
  return {
    mtu,
    requestBytes: request,
    responseBytes: response,
    airBytes: framedBytes(request, mtu) + framedBytes(response, mtu),
    fragments,
    connectionEvents: fragments,
  };
}
