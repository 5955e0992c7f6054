import { lookup } from 'node:dns';
import { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';

/**
 * Whether an address is on the public internet. Everything that is not plain public unicast
 * (private, loopback, link-local, unique-local, CGNAT, multicast, reserved, IPv4 mapped into
 * IPv6 of those, …) is private here: a webhook must not reach the service's own network (SSRF).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** A host name of a URL as an address, when it is a literal IP (`[::1]` → `::1`). */
export function literalAddress(hostname: string): string | null {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}

export class PrivateAddressError extends Error {
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, a private, loopback or link-local address`);
    this.name = 'PrivateAddressError';
  }
}

const lookupAll = promisify(lookup) as (
  hostname: string,
  options: LookupAllOptions,
) => Promise<LookupAddress[]>;

/** Resolves a host and refuses it when any of its addresses is not public. */
export async function assertPublicHost(hostname: string): Promise<void> {
  const literal = literalAddress(hostname);
  const addresses = literal ? [{ address: literal }] : await lookupAll(hostname, { all: true });
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw new PrivateAddressError(hostname, bad.address);
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets that refuses private addresses: the check is made on the address the
 * connection actually uses, at send time, so a name that resolved to a public address when the
 * webhook was saved and to an internal one now (DNS rebinding) is still refused.
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: LookupCallback,
): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(new PrivateAddressError(hostname, bad.address), []);
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    callback(null, first.address, first.family);
  });
}
