// Lesson 05: bridge networks. The seed note's own example (my_bridge_network, container3,
// container4, `docker exec container3 ping container4`), then the default bridge, isolation
// between two bridges, and `docker network connect`.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'create-network',
      title: { en: 'Create my_bridge_network', ko: 'my_bridge_network 만들기' },
      check: check.networkExists({ name: 'my_bridge_network', driver: 'bridge' }),
      hints: [
        { en: 'Networks are created with `docker network create`; bridge is the default driver.', ko: '네트워크는 `docker network create`로 만듭니다. 기본 드라이버는 bridge입니다.' },
        'docker network create my_bridge_network',
      ],
      solution: [{ host: 'node1', run: 'docker network create my_bridge_network' }],
    },
    {
      id: 'ping-by-name',
      title: { en: 'Run container3 and container4, ping by name', ko: 'container3, container4 실행하고 이름으로 ping 하기' },
      check: check.all(
        check.containerRunning({ name: 'container3', network: 'my_bridge_network' }),
        check.containerRunning({ name: 'container4', network: 'my_bridge_network' }),
        check.reaches({ from: 'container3', to: 'container4', via: 'ping' }),
      ),
      hints: [
        { en: 'Start both containers with `--network my_bridge_network` and the names container3 and container4.', ko: '두 컨테이너를 `--network my_bridge_network` 옵션과 container3, container4라는 이름으로 실행하세요.' },
        { en: '`docker run -d --name container3 --network my_bridge_network nginx`, then the same for container4.', ko: '`docker run -d --name container3 --network my_bridge_network nginx`를 실행한 뒤 container4도 같은 방식으로 실행하세요.' },
        { en: 'A container created on another network can join later: `docker network connect my_bridge_network container4`.', ko: '다른 네트워크에서 만든 컨테이너는 나중에 `docker network connect my_bridge_network container4`로 연결할 수 있습니다.' },
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name container3 --network my_bridge_network nginx' },
        { host: 'node1', run: 'docker run -d --name container4 --network my_bridge_network nginx' },
        { host: 'node1', run: 'docker exec container3 ping -c 3 container4' },
      ],
    },
    {
      id: 'container3-ip',
      title: { en: 'What address did container3 get?', ko: 'container3는 어떤 주소를 받았나요?' },
      // Answered from the learner's own lab: the address differs from lab to lab, so it cannot be copied.
      check: check.answer({ host: 'node1', expect: { of: 'containerIp', container: 'container3', network: 'my_bridge_network' } }),
      hints: [
        { en: 'The lab diagram shows each container\'s address; so does `docker network inspect my_bridge_network`.', ko: '랩 다이어그램에 컨테이너마다 주소가 표시됩니다. `docker network inspect my_bridge_network`로도 볼 수 있습니다.' },
        "docker inspect -f '{{(index .NetworkSettings.Networks \"my_bridge_network\").IPAddress}}' container3",
      ],
      solution: [{ host: 'node1', run: "docker inspect -f '{{(index .NetworkSettings.Networks \"my_bridge_network\").IPAddress}}' container3" }],
    },
    {
      id: 'default-bridge',
      title: { en: 'See the default bridge: by IP yes, by name no', ko: '기본 브리지 확인: IP로는 되고 이름으로는 안 됨' },
      check: check.all(
        check.containerRunning({ name: 'default1', network: 'bridge' }),
        check.containerRunning({ name: 'default2', network: 'bridge' }),
        check.reaches({ from: 'default1', toIpOf: { container: 'default2', network: 'bridge' }, via: 'ping' }),
        check.reaches({ from: 'default1', to: 'default2', via: 'ping', expect: false }),
      ),
      hints: [
        { en: 'Run two containers without `--network`: they land on the default network called bridge.', ko: '`--network` 없이 컨테이너 두 개를 실행하세요. 기본 네트워크인 bridge에 연결됩니다.' },
        'docker run -d --name default1 nginx; docker run -d --name default2 nginx',
        { en: "Find default2's address with `docker inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' default2`, then ping that IP from default1.", ko: "`docker inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' default2`로 default2의 주소를 확인한 뒤 default1에서 그 IP로 ping 하세요." },
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name default1 nginx' },
        { host: 'node1', run: 'docker run -d --name default2 nginx' },
      ],
    },
    {
      id: 'isolation',
      title: { en: 'Prove two bridges are isolated', ko: '두 브리지가 격리되어 있음을 확인하기' },
      check: check.all(
        check.networkExists({ name: 'other_bridge_network', driver: 'bridge' }),
        check.containerRunning({ name: 'outsider', network: 'other_bridge_network' }),
        check.reaches({ from: 'container4', toIpOf: { container: 'outsider', network: 'other_bridge_network' }, via: 'ping', expect: false }),
      ),
      hints: [
        { en: 'Create a second bridge called other_bridge_network and run a container named outsider on it.', ko: 'other_bridge_network라는 두 번째 브리지를 만들고 그 위에 outsider라는 컨테이너를 실행하세요.' },
        'docker network create other_bridge_network; docker run -d --name outsider --network other_bridge_network nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker network create other_bridge_network' },
        { host: 'node1', run: 'docker run -d --name outsider --network other_bridge_network nginx' },
      ],
    },
    {
      id: 'connect',
      title: { en: 'Connect container3 to a second network', ko: 'container3를 두 번째 네트워크에 연결하기' },
      check: check.all(
        check.containerRunning({ name: 'container3', network: 'other_bridge_network' }),
        check.containerRunning({ name: 'container3', network: 'my_bridge_network' }),
        check.reaches({ from: 'container3', to: 'outsider', via: 'ping' }),
        check.reaches({ from: 'container4', toIpOf: { container: 'outsider', network: 'other_bridge_network' }, via: 'ping', expect: false }),
      ),
      hints: [
        { en: 'A running container can join another network without a restart.', ko: '실행 중인 컨테이너도 재시작 없이 다른 네트워크에 참여할 수 있습니다.' },
        'docker network connect other_bridge_network container3',
      ],
      solution: [{ host: 'node1', run: 'docker network connect other_bridge_network container3' }],
    },
  ],
});
