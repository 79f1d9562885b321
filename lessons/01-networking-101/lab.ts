// Lesson 01: what a network driver is, the three default networks, where an IP comes from.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'default-bridge',
      title: { en: 'Run container1 on the default bridge', ko: '기본 브리지에서 container1 실행하기' },
      check: check.all(
        check.containerRunning({ name: 'container1', network: 'bridge' }),
        check.reaches({ from: 'container1', to: '172.17.0.1', via: 'ping' }),
      ),
      hints: [
        { en: 'Without --network, docker run attaches a container to the network called bridge.', ko: '--network 없이 docker run 하면 컨테이너는 bridge라는 네트워크에 연결됩니다.' },
        'docker run -d --name container1 nginx',
      ],
      solution: [{ host: 'node1', run: 'docker run -d --name container1 nginx' }],
    },
    {
      id: 'own-network',
      title: { en: 'Create lab_net and run container2 on it', ko: 'lab_net을 만들고 그 위에서 container2 실행하기' },
      check: check.all(
        check.networkExists({ name: 'lab_net', driver: 'bridge' }),
        check.containerRunning({ name: 'container2', network: 'lab_net' }),
      ),
      hints: [
        { en: '`docker network create --driver bridge lab_net`, then `docker run` with `--network lab_net`.', ko: '`docker network create --driver bridge lab_net` 후 `--network lab_net`으로 `docker run` 하세요.' },
        'docker run -d --name container2 --network lab_net nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker network create --driver bridge lab_net' },
        { host: 'node1', run: 'docker run -d --name container2 --network lab_net nginx' },
      ],
    },
  ],
});
