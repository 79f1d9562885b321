// Lesson 08: overlay networks across two hosts: swarm init/join, an attachable overlay, and a
// container on each host pinging the other by name.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 2,
  setup: [],
  exercises: [
    {
      id: 'swarm',
      title: { en: 'Make node1 a swarm manager and join node2', ko: 'node1을 swarm 매니저로 만들고 node2 합류시키기' },
      check: check.all(
        check.swarmJoined({ host: 'node1', role: 'manager' }),
        check.swarmJoined({ host: 'node2', role: 'worker' }),
      ),
      hints: [
        { en: 'On node1: `docker swarm init --advertise-addr eth0`. It prints a `docker swarm join …` command.', ko: 'node1에서 `docker swarm init --advertise-addr eth0`를 실행하면 `docker swarm join …` 명령이 출력됩니다.' },
        { en: 'Run that join command in node2’s terminal. Lost it? `docker swarm join-token worker` on node1 prints it again.', ko: '그 join 명령을 node2의 터미널에서 실행하세요. 잃어버렸다면 node1에서 `docker swarm join-token worker`로 다시 볼 수 있습니다.' },
      ],
      solution: [
        { host: 'node1', run: 'docker swarm init --advertise-addr eth0' },
        // The learner copies the join command between terminals; a replayable solution hands the
        // token over the lab network instead (a tiny web server on node1, removed right after).
        { host: 'node1', run: 'mkdir -p /tmp/share && docker swarm join-token -q worker > /tmp/share/token && docker run -d --name token-share -p 8000:80 -v /tmp/share:/www:ro busybox httpd -f -p 80 -h /www' },
        { host: 'node2', run: 'for i in 1 2 3 4 5 6 7 8 9 10; do t=$(curl -fsS http://node1:8000/token) && break; sleep 0.5; done; docker swarm join --token "$t" node1:2377' },
        { host: 'node1', run: 'docker rm -f token-share && rm -rf /tmp/share' },
      ],
    },
    {
      id: 'overlay',
      title: { en: 'Create an attachable overlay network', ko: 'attachable 오버레이 네트워크 만들기' },
      check: check.networkExists({ host: 'node1', name: 'my_overlay_network', driver: 'overlay', attachable: true }),
      hints: [
        { en: 'Overlay networks are created on a manager with `-d overlay`; `--attachable` lets plain `docker run` containers join.', ko: '오버레이 네트워크는 매니저에서 `-d overlay`로 만듭니다. `--attachable`을 주어야 일반 `docker run` 컨테이너가 참여할 수 있습니다.' },
        'docker network create -d overlay --attachable my_overlay_network',
      ],
      solution: [{ host: 'node1', run: 'docker network create -d overlay --attachable my_overlay_network' }],
    },
    {
      id: 'cross-host',
      title: { en: 'Ping across hosts by name', ko: '호스트를 넘어 이름으로 ping 하기' },
      check: check.all(
        check.containerRunning({ host: 'node1', name: 'container8', network: 'my_overlay_network' }),
        check.containerRunning({ host: 'node2', name: 'container9', network: 'my_overlay_network' }),
        check.overlaySpans({ network: 'my_overlay_network', hosts: ['node1', 'node2'] }),
        check.reaches({ host: 'node2', from: 'container9', to: 'container8', via: 'ping' }),
      ),
      hints: [
        { en: 'Run container8 on node1 and container9 on node2, both with `--network my_overlay_network`.', ko: 'node1에서 container8, node2에서 container9를 둘 다 `--network my_overlay_network`로 실행하세요.' },
        'node2: docker exec container9 ping -c 3 container8',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name container8 --network my_overlay_network nginx' },
        { host: 'node2', run: 'docker run -d --name container9 --network my_overlay_network nginx' },
        { host: 'node2', run: 'docker exec container9 ping -c 3 container8' },
      ],
    },
  ],
});
