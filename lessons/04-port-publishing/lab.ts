// Lesson 04: port publishing: -p host:container, -P, binding to one address, a conflict.
import { defineLab } from '../schema.ts';
import { check } from '../checks.ts';

export default defineLab({
  hosts: 1,
  setup: [],
  exercises: [
    {
      id: 'publish',
      title: { en: "Publish nginx on the host's port 8080", ko: '호스트의 8080번 포트로 nginx 공개하기' },
      check: check.portPublished({ container: 'web', hostPort: 8080, containerPort: 80 }),
      hints: [
        { en: '`-p HOST:CONTAINER`: the host port comes first.', ko: '`-p 호스트:컨테이너` 순서입니다. 호스트 포트가 먼저 옵니다.' },
        'docker run -d --name web -p 8080:80 nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name web -p 8080:80 nginx' },
        { host: 'node1', run: 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -sfI http://127.0.0.1:8080/ && break; sleep 0.5; done' },
      ],
    },
    {
      id: 'publish-all',
      title: { en: 'Let -P pick a port', ko: '-P로 포트를 자동으로 고르게 하기' },
      check: check.portPublished({ container: 'web2', containerPort: 80 }),
      hints: [
        { en: '`-P` publishes every port the image EXPOSEs on a free high port; `docker port web2` tells you which.', ko: '`-P`는 이미지가 EXPOSE 한 모든 포트를 비어 있는 높은 번호의 포트로 공개합니다. `docker port web2`로 확인하세요.' },
        'docker run -d --name web2 -P nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name web2 -P nginx' },
        { host: 'node1', run: 'p=$(docker port web2 80/tcp | head -n 1 | sed "s/.*://"); for i in 1 2 3 4 5 6 7 8 9 10; do curl -sfI http://127.0.0.1:$p/ && break; sleep 0.5; done' },
      ],
    },
    {
      id: 'loopback-only',
      title: { en: 'Publish on 127.0.0.1 only', ko: '127.0.0.1에만 공개하기' },
      check: check.portPublished({ container: 'web3', hostPort: 8081, containerPort: 80, hostIp: '127.0.0.1' }),
      hints: [
        { en: 'Put the address in front: `-p ADDRESS:HOST:CONTAINER`.', ko: '주소를 앞에 붙이세요: `-p 주소:호스트:컨테이너`.' },
        'docker run -d --name web3 -p 127.0.0.1:8081:80 nginx',
      ],
      solution: [
        { host: 'node1', run: 'docker run -d --name web3 -p 127.0.0.1:8081:80 nginx' },
        { host: 'node1', run: 'for i in 1 2 3 4 5 6 7 8 9 10; do curl -sfI http://127.0.0.1:8081/ && break; sleep 0.5; done' },
      ],
    },
  ],
});
