// Lesson 09: macvlan — the seed's macvlan_network (192.168.1.0/24, gateway 192.168.1.1,
// parent=eth0) and container6; each container's own MAC; the host cannot reach its own
// macvlan containers. parent=eth0 is the sandbox host's own interface on the private lab
// network, never the machine's real NIC.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'create-macvlan',
      title: { en: 'Create macvlan_network on eth0', ko: 'eth0 위에 macvlan_network 만들기' },
      check: check.networkExists({ name: 'macvlan_network', driver: 'macvlan', subnet: '192.168.1.0/24', gateway: '192.168.1.1', options: { parent: 'eth0' } }),
      hints: [
        { en: 'Use `-d macvlan` with `--subnet`, `--gateway` and `-o parent=eth0`.', ko: '`-d macvlan`에 `--subnet`, `--gateway`, `-o parent=eth0`를 함께 쓰세요.' },
        'docker network create -d macvlan --subnet=192.168.1.0/24 --gateway=192.168.1.1 -o parent=eth0 macvlan_network',
      ],
      solution: [{ host: 'node1', run: 'docker network create -d macvlan --subnet=192.168.1.0/24 --gateway=192.168.1.1 -o parent=eth0 macvlan_network' }],
    },
    {
      id: 'own-macs',
      title: { en: 'Run container6 and container6b, each with its own MAC', ko: 'container6과 container6b를 각자의 MAC으로 실행하기' },
      check: check.all(
        check.containerRunning({ name: 'container6', network: 'macvlan_network' }),
        check.containerRunning({ name: 'container6b', network: 'macvlan_network' }),
        check.distinctMacs({ network: 'macvlan_network', min: 2 }),
        check.reaches({ from: 'container6b', to: 'container6', via: 'ping' }),
      ),
      hints: [
        { en: 'Run both with `--network macvlan_network`.', ko: '둘 다 `--network macvlan_network`로 실행하세요.' },
        'docker run -d --name container6 --network macvlan_network nginx; docker run -d --name container6b --network macvlan_network nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name container6 --network macvlan_network nginx' },
        { host: 'node1', run: 'docker run -d --name container6b --network macvlan_network nginx' },
      ],
    },
    {
      id: 'host-cannot-reach',
      title: { en: 'Show that the host cannot reach its macvlan containers', ko: '호스트가 자기 macvlan 컨테이너에 접근하지 못함을 확인하기' },
      check: check.all(
        check.sharesHostNetwork({ container: 'hostview' }),
        // routed: with no route to 192.168.1.0/24 ping fails at once ("Network is unreachable"),
        // which is not the macvlan limitation; with the route, the ARP question goes unanswered.
        check.reaches({ from: 'hostview', toIpOf: { container: 'container6', network: 'macvlan_network' }, via: 'ping', expect: false, routed: true }),
      ),
      hints: [
        { en: 'A container with `--network host` sees exactly what the host sees. Run one called hostview and ping container6 from it.', ko: '`--network host` 컨테이너는 호스트와 똑같이 봅니다. hostview라는 컨테이너를 실행하고 거기서 container6에 ping 하세요.' },
        { en: 'Give the host its route to the macvlan subnet first, as a host on that LAN would have: `ip route add 192.168.1.0/24 dev eth0`.', ko: '먼저 그 LAN에 있는 호스트처럼 macvlan 서브넷으로 가는 경로를 호스트에 추가하세요: `ip route add 192.168.1.0/24 dev eth0`.' },
        'ip route add 192.168.1.0/24 dev eth0; docker run -d --name hostview --network host busybox sleep 86400',
      ],
      solution: [
        { host: 'node1', run: 'ip route add 192.168.1.0/24 dev eth0' },
        { host: 'node1', run: 'docker run -d --name hostview --network host busybox sleep 86400' },
      ],
    },
  ],
});
