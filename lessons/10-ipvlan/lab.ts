// Lesson 10: ipvlan, L2 and L3 modes. Needs the kernel's ipvlan module; on a host without it the
// page says so and the self-test reports the lesson skipped.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'l2-network',
      title: { en: 'Create an ipvlan L2 network on eth0', ko: 'eth0 위에 ipvlan L2 네트워크 만들기' },
      check: check.networkExists({ name: 'ipvlan_l2', driver: 'ipvlan', subnet: '192.168.2.0/24', gateway: '192.168.2.1', options: { parent: 'eth0', ipvlan_mode: 'l2' } }),
      hints: [
        { en: 'Like macvlan, with `-d ipvlan` and `-o ipvlan_mode=l2`.', ko: 'macvlan과 같은 방식에 `-d ipvlan`과 `-o ipvlan_mode=l2`를 쓰세요.' },
        'docker network create -d ipvlan --subnet=192.168.2.0/24 --gateway=192.168.2.1 -o parent=eth0 -o ipvlan_mode=l2 ipvlan_l2',
      ],
      solution: [{ host: 'node1', run: 'docker network create -d ipvlan --subnet=192.168.2.0/24 --gateway=192.168.2.1 -o parent=eth0 -o ipvlan_mode=l2 ipvlan_l2' }],
    },
    {
      id: 'shared-mac',
      title: { en: 'Run two containers that share eth0’s MAC', ko: 'eth0의 MAC을 공유하는 두 컨테이너 실행하기' },
      check: check.all(
        check.containerRunning({ name: 'ipv1', network: 'ipvlan_l2' }),
        check.containerRunning({ name: 'ipv2', network: 'ipvlan_l2' }),
        check.reaches({ from: 'ipv2', to: 'ipv1', via: 'ping' }),
      ),
      hints: [
        'docker run -d --name ipv1 --network ipvlan_l2 nginx; docker run -d --name ipv2 --network ipvlan_l2 nginx',
        { en: 'Compare `docker exec ipv1 ip link show eth0` with `ip link show eth0` on the host.', ko: '`docker exec ipv1 ip link show eth0`과 호스트의 `ip link show eth0`을 비교하세요.' },
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name ipv1 --network ipvlan_l2 nginx' },
        { host: 'node1', run: 'docker run -d --name ipv2 --network ipvlan_l2 nginx' },
      ],
    },
    {
      id: 'l3-network',
      title: { en: 'Create an ipvlan L3 network and run a container on it', ko: 'ipvlan L3 네트워크를 만들고 컨테이너 실행하기' },
      check: check.all(
        check.networkExists({ name: 'ipvlan_l3', driver: 'ipvlan', subnet: '192.168.3.0/24', options: { parent: 'eth0', ipvlan_mode: 'l3' } }),
        check.containerRunning({ name: 'ipv3', network: 'ipvlan_l3' }),
      ),
      hints: [
        { en: 'L3 mode needs no gateway: the parent interface routes.', ko: 'L3 모드에는 게이트웨이가 필요 없습니다. 부모 인터페이스가 라우팅합니다.' },
        'docker network create -d ipvlan --subnet=192.168.3.0/24 -o parent=eth0 -o ipvlan_mode=l3 ipvlan_l3',
      ],
      solution: [
        { host: 'node1', run: 'docker network create -d ipvlan --subnet=192.168.3.0/24 -o parent=eth0 -o ipvlan_mode=l3 ipvlan_l3' },
        { host: 'node1', run: 'docker run -d --name ipv3 --network ipvlan_l3 nginx' },
      ],
    },
  ],
});
