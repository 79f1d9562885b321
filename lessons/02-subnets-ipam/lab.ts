// Lesson 02: subnets and IPAM: --subnet, --gateway, --ip-range, a fixed --ip, overlaps.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'custom-subnet',
      title: { en: 'Create ipam_net with your own subnet, gateway and range', ko: '직접 정한 서브넷, 게이트웨이, 범위로 ipam_net 만들기' },
      check: check.networkExists({ name: 'ipam_net', driver: 'bridge', subnet: '192.168.100.0/24', gateway: '192.168.100.1', ipRange: '192.168.100.128/25' }),
      hints: [
        { en: 'All three are options of `docker network create`: `--subnet`, `--gateway`, `--ip-range`.', ko: '세 가지 모두 `docker network create`의 옵션입니다: `--subnet`, `--gateway`, `--ip-range`.' },
        'docker network create --subnet 192.168.100.0/24 --gateway 192.168.100.1 --ip-range 192.168.100.128/25 ipam_net',
      ],
      solution: [{ host: 'node1', run: 'docker network create --subnet 192.168.100.0/24 --gateway 192.168.100.1 --ip-range 192.168.100.128/25 ipam_net' }],
    },
    {
      id: 'from-range',
      title: { en: 'See a container get the first address of the range', ko: '컨테이너가 범위의 첫 주소를 받는 것 확인하기' },
      check: check.containerRunning({ name: 'auto1', network: 'ipam_net', ip: '192.168.100.128' }),
      hints: [
        { en: 'Run auto1 on ipam_net without --ip, then inspect its address.', ko: '--ip 없이 ipam_net에서 auto1을 실행하고 주소를 확인하세요.' },
        'docker run -d --name auto1 --network ipam_net nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name auto1 --network ipam_net nginx' }],
    },
    {
      id: 'fixed-ip',
      title: { en: 'Give a container a fixed address', ko: '컨테이너에 고정 주소 주기' },
      check: check.containerRunning({ name: 'fixed', network: 'ipam_net', ip: '192.168.100.10' }),
      hints: [
        { en: '`--ip` picks the address; it may lie outside --ip-range but must be inside the subnet.', ko: '`--ip`로 주소를 정합니다. --ip-range 밖이어도 되지만 서브넷 안이어야 합니다.' },
        'docker run -d --name fixed --network ipam_net --ip 192.168.100.10 nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name fixed --network ipam_net --ip 192.168.100.10 nginx' }],
    },
  ],
});
