// Every sentence a check shows a learner, in both course languages (en, ko), in one table: the
// evaluator says WHICH reason with its parameters (`say.notAttached({ name, network, on })`),
// this file says it in words. Each reason names the object and what is missing or wrong, and
// suggests the command that fixes it where there is one.
//
// Korean: a particle after a Docker name (container3, my_bridge_network) depends on how the
// name is read, so names are followed by a noun that carries the particle instead
// ("container3 컨테이너가", "my_bridge_network 네트워크에"), and required values are given as
// "필요한 값: …" rather than with a particle.

/** One reason in each language the course speaks. */
export interface Reason { en: string; ko: string }

/** The same text in both languages (a lesson's plain-string override, a raw value). */
export const same = (text: string): Reason => ({ en: text, ko: text });

/** Joins reasons language by language. */
export function joinReasons(rs: Reason[], sep: string): Reason {
  return { en: rs.map((r) => r.en).join(sep), ko: rs.map((r) => r.ko).join(sep) };
}

const onHostEn = (host?: string): string => (host ? ` on ${host}` : '');
const onHostKo = (host?: string): string => (host ? `${host} 호스트에 ` : '');
const list = (xs: string[]): string => xs.join(', ');
const andEn = (xs: string[]): string => xs.join(' and ');

/** What a traffic probe tried: ping, a TCP connect, an HTTP GET. */
export type Via = { via: 'ping' } | { via: 'tcp'; port: number } | { via: 'http'; port: number };
const viaEn = (v: Via): string => (v.via === 'ping' ? 'ping' : v.via === 'tcp' ? `TCP port ${v.port}` : `HTTP on port ${v.port}`);
const viaKo = (v: Via): string => (v.via === 'ping' ? 'ping' : v.via === 'tcp' ? `TCP 포트 ${v.port}` : `포트 ${v.port}의 HTTP`);

/** A traffic target as shown: a name/address as typed, or a container's live address. */
export type Shown = { to: string } | { container: string; ip: string };
const shownEn = (s: Shown): string => ('to' in s ? s.to : `${s.container}'s address ${s.ip}`);
const shownKo = (s: Shown): string => ('to' in s ? s.to : `${s.container} 컨테이너의 주소 ${s.ip}`);

/** A published port being looked for. */
export type Wanted = { hostPort: number; proto: string } | { containerPort: number; proto: string };
const wantedEn = (w: Wanted): string => ('hostPort' in w ? `host port ${w.hostPort}/${w.proto}` : `container port ${w.containerPort}/${w.proto}`);
const wantedKo = (w: Wanted): string => ('hostPort' in w ? `호스트 포트 ${w.hostPort}/${w.proto}` : `컨테이너 포트 ${w.containerPort}/${w.proto}`);

const roleKo = (r: string): string => (r === 'manager' ? '매니저' : r === 'worker' ? '워커' : r);

/** What an answer check asks for. */
export type AnswerOf =
  | { of: 'containerIp' | 'containerMac'; container: string; network?: string }
  | { of: 'networkSubnet' | 'networkGateway'; network: string }
  | { of: 'text' };
function answerWhat(a: AnswerOf): Reason {
  switch (a.of) {
    case 'containerIp': case 'containerMac': {
      const mac = a.of === 'containerMac';
      return {
        en: `${a.container}'s ${mac ? 'MAC address' : 'address'}${a.network ? ` on ${a.network}` : ''}`,
        ko: `${a.container} 컨테이너의 ${a.network ? `${a.network} 네트워크 ` : ''}${mac ? 'MAC 주소가' : '주소가'}`,
      };
    }
    case 'networkSubnet': return { en: `the subnet of ${a.network}`, ko: `${a.network} 네트워크의 서브넷이` };
    case 'networkGateway': return { en: `the gateway of ${a.network}`, ko: `${a.network} 네트워크의 게이트웨이가` };
    default: return { en: 'the answer', ko: '정답이' };
  }
}

const R = <P>(f: (p: P) => Reason) => f;

export const say = {
  // ---- the lab itself
  unknownHost: R<{ host: string; hosts: string }>(({ host, hosts }) => ({
    en: `This exercise needs the host ${host}, but your lab only has ${hosts}.`,
    ko: `이 실습에는 ${host} 호스트가 필요하지만 여러분의 랩에는 ${hosts} 호스트만 있습니다.`,
  })),
  engineDown: R<{ host: string }>(({ host }) => ({
    en: `${host}'s Docker engine did not answer (the host may be starting or was just reset); try Check again.`,
    ko: `${host} 호스트의 Docker 엔진이 응답하지 않았습니다(호스트가 시작 중이거나 방금 초기화되었을 수 있습니다). [확인]을 다시 눌러 보세요.`,
  })),
  cannotRun: R<Record<string, never>>(() => ({
    en: 'This check could not run against your lab right now; try Check again in a moment.',
    ko: '지금은 이 검사를 여러분의 랩에서 실행할 수 없습니다. 잠시 후 [확인]을 다시 눌러 보세요.',
  })),
  unavailable: R<{ why: Reason }>(({ why }) => ({
    en: `Unavailable on this host: ${why.en}.`,
    ko: `이 호스트에서는 사용할 수 없습니다: ${why.ko}.`,
  })),

  // ---- containers
  noContainer: R<{ name: string; host?: string }>(({ name, host }) => ({
    en: `There is no container named ${name}${onHostEn(host)}.`,
    ko: `${onHostKo(host)}이름이 ${name}인 컨테이너가 없습니다.`,
  })),
  notRunning: R<{ name: string; status: string }>(({ name, status }) => ({
    en: `${name} exists but is not running (status: ${status}); start it with docker start ${name}.`,
    ko: `${name} 컨테이너는 있지만 실행 중이 아닙니다(상태: ${status}). docker start ${name} 명령으로 시작하세요.`,
  })),
  running: R<{ name: string }>(({ name }) => ({ en: `${name} is running.`, ko: `${name} 컨테이너가 실행 중입니다.` })),
  notAttached: R<{ name: string; network: string; on: string[] }>(({ name, network, on }) => ({
    en: `${name} is not attached to ${network}${on.length ? ` (it is on ${list(on)})` : ''}.`,
    ko: `${name} 컨테이너가 ${network} 네트워크에 연결되어 있지 않습니다${on.length ? `(현재 연결된 네트워크: ${list(on)})` : ''}.`,
  })),
  wrongIp: R<{ name: string; network: string; have: string; want: string }>(({ name, network, have, want }) => ({
    en: `${name} has ${have || 'no address'} on ${network}, not ${want}.`,
    ko: have ? `${name} 컨테이너의 ${network} 네트워크 주소가 ${have}입니다. 필요한 값: ${want}.`
      : `${name} 컨테이너에 ${network} 네트워크 주소가 없습니다. 필요한 값: ${want}.`,
  })),
  noAlias: R<{ name: string; network: string; alias: string }>(({ name, network, alias }) => ({
    en: `${name} has no alias ${alias} on ${network}; use --network-alias ${alias}.`,
    ko: `${network} 네트워크의 ${name} 컨테이너에 별칭 ${alias} 설정이 없습니다. --network-alias ${alias} 옵션을 쓰세요.`,
  })),
  runningOn: R<{ name: string; network: string; ip?: string }>(({ name, network, ip }) => ({
    en: `${name} is running on ${network}${ip ? ` with ${ip}` : ''}.`,
    ko: `${name} 컨테이너가 ${network} 네트워크에서 실행 중입니다${ip ? `(주소 ${ip})` : ''}.`,
  })),
  noIpOn: R<{ name: string; network?: string }>(({ name, network }) => ({
    en: `${name} has no IP address${network ? ` on ${network}` : ''} (is it running and attached?).`,
    ko: `${name} 컨테이너에 ${network ? `${network} 네트워크의 ` : ''}IP 주소가 없습니다(실행 중이고 네트워크에 연결되어 있나요?).`,
  })),
  sharesHost: R<{ name: string }>(({ name }) => ({
    en: `${name} uses the host's network namespace.`,
    ko: `${name} 컨테이너가 호스트의 네트워크 네임스페이스를 씁니다.`,
  })),
  ownNamespace: R<{ name: string; mode: string }>(({ name, mode }) => ({
    en: `${name} has its own network namespace (network: ${mode || 'default'}); run it with --network host.`,
    ko: `${name} 컨테이너는 자기만의 네트워크 네임스페이스를 씁니다(네트워크: ${mode || 'default'}). --network host 옵션으로 실행하세요.`,
  })),
  onlyLoopback: R<{ name: string }>(({ name }) => ({
    en: `${name} has only the loopback interface lo.`,
    ko: `${name} 컨테이너에는 루프백 인터페이스 lo만 있습니다.`,
  })),
  notOnlyLoopback: R<{ name: string; others?: string[]; mode: string }>(({ name, others, mode }) => ({
    en: `${name} has ${others ? list(others) : 'a network interface'} besides lo (network: ${mode}); run it with --network none.`,
    ko: `${name} 컨테이너에 lo 말고도 ${others ? `인터페이스 ${list(others)}` : '네트워크 인터페이스'}가 있습니다(네트워크: ${mode}). --network none 옵션으로 실행하세요.`,
  })),

  // ---- networks
  noNetwork: R<{ name: string; host?: string; hint?: boolean }>(({ name, host, hint = true }) => ({
    en: `There is no network named ${name}${onHostEn(host)} yet${hint ? ' (docker network ls lists them)' : ''}.`,
    ko: `${onHostKo(host)}이름이 ${name}인 네트워크가 아직 없습니다${hint ? '(docker network ls 명령으로 목록을 볼 수 있습니다)' : ''}.`,
  })),
  wrongDriver: R<{ name: string; have: string; want: string }>(({ name, have, want }) => ({
    en: `${name} uses the ${have} driver, not ${want}; remove it and create it again with -d ${want}.`,
    ko: `${name} 네트워크는 ${want} 드라이버가 아니라 ${have} 드라이버를 씁니다. 삭제한 뒤 -d ${want} 옵션으로 다시 만드세요.`,
  })),
  ipamMismatch: R<{ name: string; flag: string; have: string[]; want: string }>(({ name, flag, have, want }) => ({
    en: `${name} has ${have.length ? `${flag} ${list(have)}` : `no ${flag} set`}, not ${want}.`,
    ko: have.length ? `${name} 네트워크의 ${flag} 값이 ${list(have)}입니다. 필요한 값: ${want}.`
      : `${name} 네트워크에 ${flag} 값이 설정되어 있지 않습니다. 필요한 값: ${want}.`,
  })),
  optionMissing: R<{ name: string; key: string; value: string }>(({ name, key, value }) => ({
    en: `${name} was created without -o ${key}=${value}.`,
    ko: `${name} 네트워크는 -o ${key}=${value} 옵션 없이 만들어졌습니다.`,
  })),
  optionWrong: R<{ name: string; key: string; have: string; want: string }>(({ name, key, have, want }) => ({
    en: `${name} has -o ${key}=${have}, not ${want}.`,
    ko: `${name} 네트워크의 옵션이 -o ${key}=${have}입니다. 필요한 값: -o ${key}=${want}.`,
  })),
  notAttachable: R<{ name: string }>(({ name }) => ({
    en: `${name} is not attachable; create it with --attachable so standalone containers can join.`,
    ko: `${name} 네트워크는 --attachable 옵션 없이 만들어졌습니다. 단독 컨테이너도 참여할 수 있도록 --attachable 옵션으로 다시 만드세요.`,
  })),
  attachable: R<{ name: string }>(({ name }) => ({
    en: `${name} should not be attachable.`,
    ko: `${name} 네트워크는 --attachable 옵션 없이 만들어야 합니다.`,
  })),
  notInternal: R<{ name: string }>(({ name }) => ({
    en: `${name} is not internal; create it with --internal.`,
    ko: `${name} 네트워크는 --internal 옵션 없이 만들어졌습니다. --internal 옵션으로 다시 만드세요.`,
  })),
  internal: R<{ name: string }>(({ name }) => ({
    en: `${name} is internal, but should not be.`,
    ko: `${name} 네트워크는 --internal 옵션 없이 만들어야 합니다.`,
  })),
  networkOk: R<{ name: string; driver: string; subnet?: string }>(({ name, driver, subnet }) => ({
    en: `${name} exists (driver ${driver}${subnet ? `, subnet ${subnet}` : ''}).`,
    ko: `${name} 네트워크가 있습니다(드라이버 ${driver}${subnet ? `, 서브넷 ${subnet}` : ''}).`,
  })),
  tooFewOnNetwork: R<{ network: string; count: number; min: number }>(({ network, count, min }) => ({
    en: `${network} has ${count} container${count === 1 ? '' : 's'} attached; run at least ${min}.`,
    ko: `${network} 네트워크에 연결된 컨테이너가 ${count}개입니다. 적어도 ${min}개를 실행하세요.`,
  })),
  sharedMac: R<{ names: string[]; mac: string; network: string }>(({ names, mac, network }) => ({
    en: `${andEn(names)} share the MAC address ${mac} on ${network}.`,
    ko: `${network} 네트워크에서 ${list(names)} 컨테이너가 같은 MAC 주소를 씁니다: ${mac}.`,
  })),
  macsOk: R<{ network: string; macs: string[] }>(({ network, macs }) => ({
    en: `The ${macs.length} containers on ${network} each have their own MAC (${list(macs)}).`,
    ko: `${network} 네트워크의 컨테이너 ${macs.length}개가 각자 자기 MAC 주소를 가집니다(${list(macs)}).`,
  })),
  overlayDriver: R<{ network: string; host: string; driver: string }>(({ network, host, driver }) => ({
    en: `${network} on ${host} uses the ${driver} driver, not overlay.`,
    ko: `${host} 호스트의 ${network} 네트워크는 overlay 드라이버가 아니라 ${driver} 드라이버를 씁니다.`,
  })),
  overlayMissing: R<{ network: string; hosts: string[] }>(({ network, hosts }) => ({
    en: `${network} has no running container on ${andEn(hosts)} yet (an overlay shows up on a host once a container there joins it).`,
    ko: `${list(hosts)} 호스트에는 아직 ${network} 네트워크에 연결된 실행 중인 컨테이너가 없습니다(오버레이 네트워크는 그 호스트의 컨테이너가 참여해야 그 호스트에 나타납니다).`,
  })),
  overlayOk: R<{ network: string; hosts: string[] }>(({ network, hosts }) => ({
    en: `${network} has containers on ${andEn(hosts)}.`,
    ko: `${network} 네트워크에 ${list(hosts)} 호스트의 컨테이너가 있습니다.`,
  })),

  // ---- traffic
  noTool: R<{ from: string; how: Via; tool: string }>(({ from, how, tool }) => ({
    en: `${from} has no tool to test ${viaEn(how)} with (its image lacks ${tool}).`,
    ko: `${from} 컨테이너에는 ${viaKo(how)} 확인에 쓸 도구가 없습니다(이미지에 ${tool} 없음).`,
  })),
  reaches: R<{ from: string; target: Shown; how: Via }>(({ from, target, how }) => ({
    en: `${from} reaches ${shownEn(target)} (${viaEn(how)}).`,
    ko: `${from} 컨테이너에서 ${shownKo(target)}에 도달합니다(${viaKo(how)}).`,
  })),
  unresolved: R<{ from: string; target: Shown }>(({ from, target }) => ({
    en: `${from} cannot resolve the name ${shownEn(target)}: names only resolve between containers on the same user-defined network.`,
    ko: `${from} 컨테이너가 ${shownKo(target)} 이름을 해석하지 못합니다. 이름은 같은 사용자 정의 네트워크에 있는 컨테이너끼리만 해석됩니다.`,
  })),
  noAnswerByName: R<{ from: string; target: Shown; how: Via }>(({ from, target, how }) => ({
    en: `${from} got no answer from ${shownEn(target)} (${viaEn(how)}) in time; if ${shownEn(target)} is a container name, it may not resolve from ${from} (names resolve only between containers sharing a user-defined network).`,
    ko: `${from} 컨테이너가 제한 시간 안에 ${shownKo(target)}에서 응답을 받지 못했습니다(${viaKo(how)}). ${shownKo(target)}: 컨테이너 이름이라면 ${from} 컨테이너에서 해석되지 않을 수 있습니다(이름은 사용자 정의 네트워크를 함께 쓰는 컨테이너끼리만 해석됩니다).`,
  })),
  cannotReach: R<{ from: string; target: Shown; how: Via; timedOut: boolean }>(({ from, target, how, timedOut }) => ({
    en: `${from} cannot reach ${shownEn(target)} (${viaEn(how)}: ${timedOut ? 'no answer in time' : 'no answer'}).`,
    ko: `${from} 컨테이너에서 ${shownKo(target)}에 도달할 수 없습니다(${viaKo(how)}: ${timedOut ? '제한 시간 안에 응답 없음' : '응답 없음'}).`,
  })),
  stillReaches: R<{ from: string; target: Shown; how: Via }>(({ from, target, how }) => ({
    en: `${from} can still reach ${shownEn(target)} (${viaEn(how)}), but it should not.`,
    ko: `${from} 컨테이너에서 아직 ${shownKo(target)}에 도달할 수 있습니다(${viaKo(how)}). 도달할 수 없어야 합니다.`,
  })),
  noRoute: R<{ from: string; target: Shown }>(({ from, target }) => ({
    en: `${from} has no route to ${shownEn(target)} ("Network is unreachable"): no packet even left, so this shows nothing about the traffic itself. Give it a route first (for a host's own view: ip route add <subnet> dev eth0), then try again.`,
    ko: `${from} 컨테이너에는 ${shownKo(target)}(으)로 가는 경로가 없습니다("Network is unreachable"). 패킷이 나가지도 않았으므로 트래픽 자체에 대해서는 아무것도 보여 주지 않습니다. 먼저 경로를 추가한 뒤(호스트 시점이라면 ip route add <서브넷> dev eth0) 다시 시도하세요.`,
  })),
  isolated: R<{ from: string; target: Shown; how: Via }>(({ from, target, how }) => ({
    en: `${from} cannot reach ${shownEn(target)} (${viaEn(how)}), as intended.`,
    ko: `${from} 컨테이너에서 ${shownKo(target)}에 도달할 수 없습니다(${viaKo(how)}). 의도한 대로입니다.`,
  })),

  // ---- DNS
  noDnsTool: R<{ from: string }>(({ from }) => ({
    en: `${from} has no dig or nslookup to ask DNS with.`,
    ko: `${from} 컨테이너에는 DNS에 물어볼 dig나 nslookup이 없습니다.`,
  })),
  noResolveTarget: R<{ container: string; name: string }>(({ container, name }) => ({
    en: `There is no container named ${container} whose address ${name} should resolve to.`,
    ko: `${name} 이름이 가리켜야 할 컨테이너(이름 ${container})가 없습니다.`,
  })),
  noAddressYet: R<{ container: string; network?: string }>(({ container, network }) => ({
    en: `${container} has no address${network ? ` on ${network}` : ''} yet.`,
    ko: `${container} 컨테이너에 아직 ${network ? `${network} 네트워크의 ` : ''}주소가 없습니다.`,
  })),
  notResolves: R<{ name: string; from: string }>(({ name, from }) => ({
    en: `${name} does not resolve from ${from}, as intended.`,
    ko: `${from} 컨테이너에서 ${name} 이름이 해석되지 않습니다. 의도한 대로입니다.`,
  })),
  stillResolves: R<{ name: string; from: string; ips: string[] }>(({ name, from, ips }) => ({
    en: `${name} still resolves from ${from} (to ${list(ips)}), but it should not.`,
    ko: `${from} 컨테이너에서 ${name} 이름이 아직 해석됩니다(${list(ips)}). 해석되지 않아야 합니다.`,
  })),
  cannotResolve: R<{ from: string; name: string; server: string }>(({ from, name, server }) => {
    const embedded = server === '127.0.0.11';
    return {
      en: `${from} cannot resolve ${name} through ${embedded ? "Docker's embedded DNS (127.0.0.11)" : `the DNS server ${server}`}${embedded ? ': embedded DNS only serves user-defined networks, and only names on networks the container shares' : ''}.`,
      ko: `${from} 컨테이너가 ${embedded ? 'Docker 내장 DNS(127.0.0.11)' : `DNS 서버 ${server}`}에서 ${name} 이름을 해석하지 못합니다${embedded ? '. 내장 DNS는 사용자 정의 네트워크에서만, 그리고 컨테이너가 함께 속한 네트워크의 이름만 알려 줍니다' : ''}.`,
    };
  }),
  resolvesWrong: R<{ name: string; from: string; ips: string[]; want: string[] }>(({ name, from, ips, want }) => ({
    en: `${name} resolves to ${list(ips)} from ${from}, not ${want.join(' or ')}.`,
    ko: `${from} 컨테이너에서 ${name} 이름의 답은 ${list(ips)}입니다. 필요한 값: ${want.join(' 또는 ')}.`,
  })),
  resolves: R<{ name: string; from: string; ips: string[] }>(({ name, from, ips }) => ({
    en: `${name} resolves to ${list(ips)} from ${from}.`,
    ko: `${from} 컨테이너에서 ${name} 이름의 답은 ${list(ips)}입니다.`,
  })),

  // ---- ports
  notPublished: R<{ name: string; wanted: Wanted; shown: string }>(({ name, wanted, shown }) => ({
    en: `${name} does not publish ${wantedEn(wanted)}${shown ? ` (it publishes ${shown})` : ' (it publishes no ports; add -p)'}.`,
    ko: `${name} 컨테이너에 ${wantedKo(wanted)} 매핑이 없습니다${shown ? `(공개된 포트: ${shown})` : '(공개된 포트가 없습니다. -p 옵션을 붙이세요)'}.`,
  })),
  wrongHostIp: R<{ name: string; wanted: Wanted; have: string[]; hostIp: string; flag: string }>(({ name, wanted, have, hostIp, flag }) => ({
    en: `${name} publishes ${wantedEn(wanted)} on ${list(have)}, not only on ${hostIp}; use -p ${flag}.`,
    ko: `${name} 컨테이너는 ${wantedKo(wanted)} 매핑을 ${list(have)} 주소에 공개합니다. ${hostIp} 주소에만 공개하려면 -p ${flag} 옵션을 쓰세요.`,
  })),
  wrongContainerPort: R<{ hostPort: number; name: string; have: string; want: string }>(({ hostPort, name, have, want }) => ({
    en: `Host port ${hostPort} goes to ${name}'s port ${have}, not ${want}.`,
    ko: `호스트 포트 ${hostPort} 매핑의 대상은 ${name} 컨테이너의 포트 ${have}입니다. 필요한 값: ${want}.`,
  })),
  published: R<{ name: string; hostPort: number; cp: string }>(({ name, hostPort, cp }) => ({
    en: `${name} publishes ${hostPort}->${cp}.`,
    ko: `${name} 컨테이너가 ${hostPort}->${cp} 포트를 공개합니다.`,
  })),
  publishedAnswers: R<{ name: string; hostPort: number; cp: string; url: string }>(({ name, hostPort, cp, url }) => ({
    en: `${name} publishes ${hostPort}->${cp} and answers at ${url}.`,
    ko: `${name} 컨테이너가 ${hostPort}->${cp} 포트를 공개하고 ${url}에서 응답합니다.`,
  })),
  publishedSilent: R<{ name: string; hostPort: number; cp: string; url: string }>(({ name, hostPort, cp, url }) => ({
    en: `Host port ${hostPort} is mapped to ${name}, but nothing answers at ${url} (is the server inside listening on ${cp}?).`,
    ko: `호스트 포트 ${hostPort} 매핑은 ${name} 컨테이너로 이어지지만 ${url}에서 아무것도 응답하지 않습니다(컨테이너 안의 서버가 ${cp} 포트에서 기다리고 있나요?).`,
  })),
  hostAnswers: R<{ host: string; port: number }>(({ host, port }) => ({
    en: `Something answers on ${host}'s port ${port}.`,
    ko: `${host} 호스트의 포트 ${port}에서 응답이 옵니다.`,
  })),
  hostSilent: R<{ host: string; port: number; url: string }>(({ host, port, url }) => ({
    en: `Nothing answers on ${host}'s port ${port} (${url}).`,
    ko: `${host} 호스트의 포트 ${port}에서 아무것도 응답하지 않습니다(${url}).`,
  })),

  // ---- swarm
  notInSwarm: R<{ host: string; state: string; role?: string }>(({ host, state, role }) => ({
    en: `${host} is not part of a swarm (state: ${state}); ${role === 'worker' ? 'join it with the docker swarm join command the manager printed' : 'run docker swarm init'}.`,
    ko: `${host} 호스트는 스웜에 속해 있지 않습니다(상태: ${state}). ${role === 'worker' ? '매니저가 출력한 docker swarm join 명령으로 참여하세요' : 'docker swarm init 명령을 실행하세요'}.`,
  })),
  wrongRole: R<{ host: string; role: string; want: string }>(({ host, role, want }) => ({
    en: `${host} is in the swarm as a ${role}, not a ${want}.`,
    ko: `${host} 호스트는 스웜의 ${roleKo(role)}입니다. 필요한 역할: ${roleKo(want)}.`,
  })),
  inSwarm: R<{ host: string; role: string }>(({ host, role }) => ({
    en: `${host} is a swarm ${role}.`,
    ko: `${host} 호스트는 스웜의 ${roleKo(role)}입니다.`,
  })),

  // ---- typed answers
  typeAnswer: R<Record<string, never>>(() => ({
    en: 'Type your answer in the box and press Check.',
    ko: '입력 칸에 답을 적고 [확인]을 누르세요.',
  })),
  answerRight: R<{ given: string }>(({ given }) => ({ en: `${given} is right.`, ko: `${given}: 정답입니다.` })),
  answerWrong: R<{ given: string; what: AnswerOf }>(({ given, what }) => {
    const w = answerWhat(what);
    return {
      en: `${given} is not ${w.en}; look it up in your lab (docker inspect) and try again.`,
      ko: `${given}: ${w.ko} 아닙니다. 여러분의 랩에서 찾아보고(docker inspect) 다시 해 보세요.`,
    };
  }),
  nothingToLookUp: R<{ container?: string; network?: string }>(({ container, network }) => ({
    en: container ? `There is no container named ${container} yet, so there is nothing to look up.` : `There is no network named ${network} yet, so there is nothing to look up.`,
    ko: container ? `이름이 ${container}인 컨테이너가 아직 없어서 찾아볼 값이 없습니다.` : `이름이 ${network}인 네트워크가 아직 없어서 찾아볼 값이 없습니다.`,
  })),
  noValueYet: R<{ container: string; mac: boolean; network?: string }>(({ container, mac, network }) => ({
    en: `${container} has no ${mac ? 'MAC address' : 'address'}${network ? ` on ${network}` : ''} yet.`,
    ko: `${container} 컨테이너에 아직 ${network ? `${network} 네트워크의 ` : ''}${mac ? 'MAC 주소' : '주소'}가 없습니다.`,
  })),
  noIpamValue: R<{ network: string; subnet: boolean }>(({ network, subnet }) => ({
    en: `${network} has no ${subnet ? 'subnet' : 'gateway'} configured.`,
    ko: `${network} 네트워크에 ${subnet ? '서브넷이' : '게이트웨이가'} 설정되어 있지 않습니다.`,
  })),

  // ---- combinators
  noneHolds: R<{ reasons: Reason[] }>(({ reasons }) => ({
    en: `None of these holds yet: ${reasons.map((r) => r.en).join(' / ')}`,
    ko: `아직 어느 것도 충족되지 않았습니다: ${reasons.map((r) => r.ko).join(' / ')}`,
  })),
  shouldNotHold: R<{ inner: Reason }>(({ inner }) => ({
    en: `This should not hold, but it does: ${inner.en}`,
    ko: `이 조건은 성립하면 안 되는데 성립합니다: ${inner.ko}`,
  })),
};

export type ReasonCode = keyof typeof say;
