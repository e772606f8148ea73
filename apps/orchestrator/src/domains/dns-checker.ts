// Asks the DNS what a domain's records are: the ownership TXT, the CNAME and the addresses. The
// resolver is configurable (DOMAIN_DNS_SERVERS: the tests point it at challtestsrv's DNS on a port);
// unset, the system's resolvers answer.
import { Resolver } from 'node:dns/promises';
import { type DnsObservation, OWNERSHIP_LABEL } from '../domain/custom-domains.ts';

export interface DnsChecker {
  observe(hostname: string): Promise<DnsObservation>;
}

/** "No such record" answers: an empty list, not a failure. */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export class ResolverDnsChecker implements DnsChecker {
  private readonly resolver: Resolver;

  /** `servers`: `host` or `host:port` entries; empty = the system's resolvers. */
  constructor(servers: string[] = [], timeoutMs = 3000) {
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
    if (servers.length > 0) this.resolver.setServers(servers);
  }

  async observe(hostname: string): Promise<DnsObservation> {
    const errors: string[] = [];
    const ask = async <T>(lookup: () => Promise<T[]>): Promise<T[]> => {
      try {
        return await lookup();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
        if (!ABSENT.has(code)) errors.push(code);
        return [];
      }
    };
    const [txt, cname, addresses] = await Promise.all([
      ask(() => this.resolver.resolveTxt(`${OWNERSHIP_LABEL}.${hostname}`)),
      ask(() => this.resolver.resolveCname(hostname)),
      ask(() => this.resolver.resolve4(hostname)),
    ]);
    return {
      txt: txt.map((chunks) => chunks.join('')),
      cname,
      addresses,
      ...(errors.length > 0 ? { error: [...new Set(errors)].join(', ') } : {}),
    };
  }
}
